"""ferry demo app (python, standard library only)."""
from importlib import metadata

try:
    __version__ = metadata.version("demo-py")
except metadata.PackageNotFoundError:  # running from the source tree, not installed
    __version__ = "0+source"
