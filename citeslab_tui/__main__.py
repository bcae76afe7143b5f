from citeslab_tui.cli import main

raise SystemExit(main())
