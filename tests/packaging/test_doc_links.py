"""The repository cites only itself: every Markdown link of the README and docs/ names a file that is
in the repository, and nothing outside bench/ points at `../shared` (a clone does not have it)."""

from __future__ import annotations

import re
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
LINK = re.compile(r"\]\(([^)\s]+)\)")
TEXT_SUFFIXES = {".py", ".md", ".toml", ".yaml", ".yml", ".json", ".txt", ".cfg", ".ini", ""}
SKIPPED_DIRS = {".git", ".venv", "bench", "build", "dist", "__pycache__", ".pytest_cache", ".ruff_cache",
                ".mypy_cache", ".hypothesis"}


def documents() -> list[Path]:
    return [REPOSITORY / "README.md", *sorted((REPOSITORY / "docs").glob("*.md"))]


def repository_files() -> list[Path]:
    """Text files of the repository, through real folders only (the package links repeat them)."""
    found = []
    stack = [REPOSITORY]
    while stack:
        folder = stack.pop()
        for path in folder.iterdir():
            if path.is_symlink() or path.name in SKIPPED_DIRS or path.name.endswith(".egg-info"):
                continue
            if path.is_dir():
                stack.append(path)
            elif path.suffix in TEXT_SUFFIXES:
                found.append(path)
    return found


def test_every_relative_link_names_a_file_in_the_repository():
    broken = []
    for document in documents():
        for target in LINK.findall(document.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue  # a web address or an anchor on the same page
            path = (document.parent / target.split("#", 1)[0]).resolve()
            if not path.exists() or not path.is_relative_to(REPOSITORY):
                broken.append(f"{document.relative_to(REPOSITORY)}: {target}")
    assert broken == []


def test_nothing_outside_bench_cites_the_shared_folder():
    citing = [str(path.relative_to(REPOSITORY)) for path in repository_files()
              if path != Path(__file__) and "../shared" in path.read_text(encoding="utf-8", errors="replace")]
    assert citing == [], "cite docs/contract.md or docs/architecture.md instead"
