"""``python -m ccsim``: the same command line as the ``ccsim`` script."""

from ccsim.cli import main

if __name__ == "__main__":
    main()
