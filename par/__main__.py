from par.cli.main import main

raise SystemExit(main())
