"""What a command shows: rich tables and progress bars when the output is a terminal; plain,
tab-separated lines (one header line, then one line per row) and no progress bars when it is not,
so the output of `crm ... | cut -f2` or a log file stays readable."""
import sys
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table


class Output:
    def __init__(self, stdout=None, stderr=None):
        stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
        self.stdout, self.stderr = stdout, stderr
        self.rich = stdout.isatty()
        self.console = Console(file=stdout, highlight=False)
        self.errors = Console(file=stderr, highlight=False, soft_wrap=True)
        self.progress_shown = stderr.isatty()
        self._progress = None

    # --- results (stdout) ---------------------------------------------------------------------------
    def line(self, text="", style=None):
        if self.rich:
            self.console.print(text, style=style, markup=False)
        else:
            print(text, file=self.stdout, flush=True)

    def table(self, columns, rows, title=None):
        rows = [["" if value is None else str(value) for value in row] for row in rows]
        if not self.rich:  # printed as is: rich would expand the tabs
            if title:
                print("# " + title, file=self.stdout)
            for row in [list(columns)] + rows:
                print("\t".join(cell.replace("\t", " ").replace("\n", " ") for cell in row), file=self.stdout)
            self.stdout.flush()
            return
        table = Table(title=title, title_justify="left", header_style="bold")
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*row)
        self.console.print(table)

    # --- status (stderr) ----------------------------------------------------------------------------
    def note(self, text):
        """A remark about the run (skipped parts, waits): stderr, so stdout keeps only results."""
        if self._progress is not None:
            self._progress.console.print(text, markup=False, highlight=False, style="dim")
        elif self.progress_shown:
            self.errors.print(text, markup=False, highlight=False, style="dim")
        else:
            print(text, file=self.stderr, flush=True)

    @contextmanager
    def progress(self):
        """A set of progress bars (`bars.add(label, total)` -> a bar with `advance(n)`), drawn while
        the block runs when stderr is a terminal; nothing otherwise."""
        if not self.progress_shown:
            yield Bars(None)
            return
        progress = Progress(TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), console=self.errors, transient=False)
        self._progress = progress
        try:
            with progress:
                yield Bars(progress)
        finally:
            self._progress = None


class Bars:
    def __init__(self, progress):
        self.progress = progress

    def add(self, label, total):
        return Bar(self.progress, self.progress.add_task(label, total=total, start=False) if self.progress else None)


class Bar:
    """One bar; its clock starts with its first step."""

    def __init__(self, progress, task):
        self.progress, self.task, self.started = progress, task, False

    def advance(self, count=1):
        if self.progress is not None:
            if not self.started:
                self.progress.start_task(self.task)
                self.started = True
            self.progress.advance(self.task, count)

    def total(self, total):
        if self.progress is not None:
            self.progress.update(self.task, total=total)
