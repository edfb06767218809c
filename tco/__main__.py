from tco.cli.app import main

raise SystemExit(main())
