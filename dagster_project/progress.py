"""Progress display for long command-line steps (rich), shared by every subcommand."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

ProgressCallback = Callable[[str, int, int], None]

console = Console(stderr=True)


@contextmanager
def progress_bar(title: str) -> Iterator[ProgressCallback]:
    """Yield a callback ``(label, done, total)`` that drives one rich progress bar."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[label]}"),
        console=console,
        transient=False,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task(title, total=None, label="")

        def update(label: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None, label=label)

        yield update
