import sys

from myapprentice_app.cli import main

sys.exit(main())
