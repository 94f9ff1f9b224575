"""Run the command-line interface as ``python -m freedomcities``."""

from freedomcities.cli import main

if __name__ == "__main__":
    main()
