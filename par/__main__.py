import gc

from par.cli.main import main

code = main()
gc.freeze()  # nothing is collected at exit: pandas' many objects make that slow (~0.1 s)
raise SystemExit(code)
