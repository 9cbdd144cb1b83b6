from par.cli import main

raise SystemExit(main())
