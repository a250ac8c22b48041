"""`make bench`: speed and memory figures, each against a reference measured in the same run."""
