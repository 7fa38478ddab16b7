"""Where a job's outputs live: its own folder ``<artifacts>/<job id>`` on shared storage, or a storage
URI (s3://, gs://, ... through pyarrow's filesystems, as Ray's storage does).

- A URI job trains into a local staging folder; checkpoints and the final files are uploaded as
  they are written (``sync_up``), so a stopped job keeps what it saved.
- ``resume_checkpoint(src)``: the last ``checkpoint-N`` of an earlier job (downloaded when remote).
- ``python -m trainer.artifacts pull URI DIR``: the final files (no intermediate checkpoints), for
  ``userlm train pull``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile

from .errors import JobError
from .job import is_uri

CHECKPOINT_RE = re.compile(r"^checkpoint-(\d+)$")


def _fs(uri: str):
    from pyarrow import fs

    try:
        return fs.FileSystem.from_uri(uri)
    except Exception as e:  # unknown scheme, missing credentials
        raise JobError(f"job: output_dir: cannot open {uri}: {e}") from None


def claim(output_dir: str, job_name: str) -> str:
    """The local folder to write into; refuses a folder that already holds another job (never overwrite)."""
    if is_uri(output_dir):
        filesystem, path = _fs(output_dir)
        from pyarrow import fs

        if filesystem.get_file_info(path + "/resolved_job.json").type != fs.FileType.NotFound:
            raise JobError(f"job: output_dir: {output_dir} already holds a job's artifacts; each job writes under its own id")
        return tempfile.mkdtemp(prefix="userlm-artifacts-")
    if os.path.exists(os.path.join(output_dir, "resolved_job.json")):
        raise JobError(f"job: output_dir: {output_dir} already holds a job's artifacts ({job_name}); each job writes under its own id")
    os.makedirs(output_dir, exist_ok=True)
    return output_dir


def sync_up(local: str, output_dir: str, sub: str | None = None) -> None:
    """Copies the local folder (or one sub-folder of it) to the URI; nothing to do for a plain folder."""
    if not is_uri(output_dir):
        return
    from pyarrow import fs

    filesystem, path = _fs(output_dir)
    src = os.path.join(local, sub) if sub else local
    dst = f"{path}/{sub}" if sub else path
    filesystem.create_dir(dst, recursive=True)
    fs.copy_files(src, dst, source_filesystem=fs.LocalFileSystem(), destination_filesystem=filesystem)


def _checkpoints(names: list[str]) -> list[tuple[int, str]]:
    return sorted((int(m.group(1)), n) for n in names if (m := CHECKPOINT_RE.match(n)))


def resume_checkpoint(src: str) -> str:
    """The last checkpoint-N folder of an earlier job's artifacts, as a local path."""
    if is_uri(src):
        from pyarrow import fs

        filesystem, path = _fs(src)
        infos = filesystem.get_file_info(fs.FileSelector(path, allow_not_found=True))
        found = _checkpoints([os.path.basename(i.path) for i in infos if i.type == fs.FileType.Directory])
        if not found:
            raise JobError(f"job: resume_from: {src} holds no checkpoint-N folder (the earlier job saved none: set save_steps)")
        local = tempfile.mkdtemp(prefix="userlm-resume-")
        fs.copy_files(f"{path}/{found[-1][1]}", local, source_filesystem=filesystem, destination_filesystem=fs.LocalFileSystem())
        return local
    if not os.path.isdir(src):
        raise JobError(f"job: resume_from: {src} is not a folder this job can read (the earlier job's artifacts must be on shared storage or a storage URI)")
    found = _checkpoints(os.listdir(src))
    if not found:
        raise JobError(f"job: resume_from: {src} holds no checkpoint-N folder (the earlier job saved none: set save_steps)")
    return os.path.join(src, found[-1][1])


def pull(src: str, out: str) -> list[str]:
    """Downloads the final files of a job's artifacts (no intermediate checkpoints) into out."""
    from pyarrow import fs

    filesystem, path = _fs(src) if is_uri(src) else (fs.LocalFileSystem(), os.path.abspath(src))
    infos = filesystem.get_file_info(fs.FileSelector(path, recursive=True, allow_not_found=True))
    files = []
    for i in infos:
        if i.type != fs.FileType.File:
            continue
        rel = i.path[len(path.rstrip("/")) + 1:]
        if CHECKPOINT_RE.match(rel.split("/", 1)[0]):
            continue
        dst = os.path.join(out, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with filesystem.open_input_stream(i.path) as r, open(dst, "wb") as w:
            shutil.copyfileobj(r, w)
        files.append(rel)
    if "resolved_job.json" not in files:
        raise JobError(f"{src} holds no job artifacts (no resolved_job.json)")
    return sorted(files)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 3 or args[0] != "pull":
        print("usage: python -m trainer.artifacts pull URI DIR", file=sys.stderr)
        return 2
    try:
        print(json.dumps(pull(args[1], args[2])))
    except JobError as e:
        print(str(e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
