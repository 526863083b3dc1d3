"""A minimal PEP 517 build backend, standard library only.

Builds a pure-Python wheel of the packages in the project folder (folders with an
``__init__.py``, or ``[tool.wheel-backend] packages = [...]``) with ``[project]`` metadata and
``[project.scripts]`` console scripts. Deterministic: sorted entries, fixed timestamps.
"""
import base64
import hashlib
import io
import os
import re
import tarfile
import tomllib
import zipfile

_EPOCH = (1980, 1, 1, 0, 0, 0)


def _config():
    with open("pyproject.toml", "rb") as f:
        data = tomllib.load(f)
    return data["project"], data.get("tool", {}).get("wheel-backend", {})


def _norm(name):
    return re.sub(r"[-_.]+", "_", name).lower()


def _packages(tool):
    if "packages" in tool:
        return list(tool["packages"])
    return [d for d in sorted(os.listdir(".")) if not d.startswith(("_", ".")) and os.path.isfile(os.path.join(d, "__init__.py"))]


def _package_files(tool):
    for pkg in _packages(tool):
        for root, dirs, names in os.walk(pkg):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for n in sorted(names):
                if n.endswith((".pyc", ".pyo")):
                    continue
                path = os.path.join(root, n)
                with open(path, "rb") as f:
                    yield path.replace(os.sep, "/"), f.read()


def _metadata(project):
    lines = ["Metadata-Version: 2.1", f"Name: {project['name']}", f"Version: {project['version']}"]
    if "description" in project:
        lines.append(f"Summary: {project['description']}")
    if "requires-python" in project:
        lines.append(f"Requires-Python: {project['requires-python']}")
    lines += [f"Requires-Dist: {d}" for d in project.get("dependencies", [])]
    return "\n".join(lines) + "\n"


def _dist_info_files(project):
    files = [("METADATA", _metadata(project)), ("WHEEL", "Wheel-Version: 1.0\nGenerator: wheel_backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n")]
    scripts = project.get("scripts", {})
    if scripts:
        files.append(("entry_points.txt", "[console_scripts]\n" + "".join(f"{k} = {v}\n" for k, v in sorted(scripts.items()))))
    return files


def _dist_info(project):
    return f"{_norm(project['name'])}-{project['version']}.dist-info"


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    project, _ = _config()
    target = os.path.join(metadata_directory, _dist_info(project))
    os.makedirs(target, exist_ok=True)
    for name, text in _dist_info_files(project):
        with open(os.path.join(target, name), "w", encoding="utf-8") as f:
            f.write(text)
    return _dist_info(project)


def _add(zf, arcname, data, record):
    info = zipfile.ZipInfo(arcname, date_time=_EPOCH)
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    record.append(f"{arcname},sha256={digest},{len(data)}")


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    project, tool = _config()
    dist_info = _dist_info(project)
    filename = f"{_norm(project['name'])}-{project['version']}-py3-none-any.whl"
    record = []
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w") as zf:
        for arcname, data in _package_files(tool):
            _add(zf, arcname, data, record)
        for name, text in _dist_info_files(project):
            _add(zf, f"{dist_info}/{name}", text.encode(), record)
        record.append(f"{dist_info}/RECORD,,")
        info = zipfile.ZipInfo(f"{dist_info}/RECORD", date_time=_EPOCH)
        info.external_attr = 0o644 << 16
        zf.writestr(info, "\n".join(record) + "\n")
    return filename


def build_sdist(sdist_directory, config_settings=None):
    project, tool = _config()
    base = f"{_norm(project['name'])}-{project['version']}"
    filename = f"{base}.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz") as tf:
        entries = [("pyproject.toml", open("pyproject.toml", "rb").read())]
        entries += [(p, d) for p, d in _package_files(tool)]
        for root in ("_build",):
            for n in sorted(os.listdir(root)):
                if n.endswith(".py"):
                    entries.append((f"{root}/{n}", open(os.path.join(root, n), "rb").read()))
        for path, data in entries:
            info = tarfile.TarInfo(f"{base}/{path}")
            info.size = len(data)
            info.mtime = 315532800
            tf.addfile(info, io.BytesIO(data))
    return filename
