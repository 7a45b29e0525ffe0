"""`python -m interview_tui` is the same as the `interview-tui` command."""

from interview_tui.cli import main

if __name__ == "__main__":
    main()
