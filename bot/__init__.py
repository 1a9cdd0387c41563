"""Relance: a Slack assistant for collections teams."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("relance")  # the one place it is written: pyproject.toml
except PackageNotFoundError:  # run from a source tree never installed
    __version__ = "unknown"
