"""`python -m aployee_sim` runs the command line, like the `aployee-sim` script."""

import sys

from aployee_sim.cli import main

sys.exit(main())
