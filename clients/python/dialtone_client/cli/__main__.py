import sys

from dialtone_client.cli.app import main

sys.exit(main())
