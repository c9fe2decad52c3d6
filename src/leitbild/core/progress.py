"""A text progress bar for long command-line jobs (written to stderr, so stdout stays data)."""

import sys


class ProgressBar:
    def __init__(self, label: str, *, stream=None, width: int = 30):
        self.label, self.stream, self.width = label, stream or sys.stderr, width

    def __call__(self, done: int, total: int) -> None:
        share = done / total if total else 1
        filled = round(self.width * share)
        bar = "█" * filled + "░" * (self.width - filled)
        end = "\n" if done >= total else ""
        self.stream.write(f"\r{self.label} {bar} {share:4.0%} ({done}/{total}){end}")
        self.stream.flush()
