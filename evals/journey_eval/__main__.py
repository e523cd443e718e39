import sys

from evals.journey_eval.cli import main

sys.exit(main())
