"""Allow ``python -m step1plan``."""

from step1plan.cli import main

if __name__ == "__main__":
    main()
