"""Check OUT/manifest.json against the files on disk.

usage: check_manifest.py OUT ROOT
  OUT   the out directory of a run
  ROOT  the directory the run was started in (input paths are relative to it)

Every plan directory of OUT is listed; each lists exactly the files in it
(hidden temporaries aside), each with the SHA-256 and size of the file;
each input's digest is that of the file under ROOT; the comparison files of
OUT are listed with theirs. Prints what is wrong and exits 1, else a count.
"""
import hashlib
import json
import os
import sys


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def files_under(top):
    found = set()
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if not name.startswith("."):
                found.add(os.path.relpath(os.path.join(dirpath, name), top))
    return found


def main():
    out, root = sys.argv[1], sys.argv[2]
    m = json.load(open(os.path.join(out, "manifest.json"), encoding="utf-8"))
    bad = []
    if not m.get("planeval_version"):
        bad.append("no planeval_version")
    plans = {p["id"]: p for p in m["plans"]}
    dirs = {d for d in os.listdir(out) if os.path.isdir(os.path.join(out, d))
            and not d.startswith(".") and d != "comparison"}
    if set(plans) != dirs:
        bad.append("plans listed %s, directories %s" % (sorted(plans), sorted(dirs)))
    noutputs = ninputs = 0
    for pid, p in sorted(plans.items()):
        if not p.get("options", "").startswith("planeval "):
            bad.append("%s: options %r" % (pid, p.get("options")))
        listed = {o["path"]: o for o in p["outputs"]}
        on_disk = files_under(os.path.join(out, pid))
        if set(listed) != on_disk:
            bad.append("%s: listed but missing %s; present but not listed %s" % (
                pid, sorted(set(listed) - on_disk), sorted(on_disk - set(listed))))
        for path, o in sorted(listed.items()):
            full = os.path.join(out, pid, path)
            if not os.path.isfile(full):
                continue
            noutputs += 1
            if o["sha256"] != sha256(full):
                bad.append("%s/%s: sha256 differs" % (pid, path))
            if o["bytes"] != os.path.getsize(full):
                bad.append("%s/%s: size differs" % (pid, path))
        if not p["inputs"]:
            bad.append("%s: no inputs" % pid)
        for i in p["inputs"]:
            full = os.path.join(root, i["path"])
            ninputs += 1
            if not os.path.isfile(full):
                bad.append("%s: input %s does not exist" % (pid, i["path"]))
            elif i["sha256"] != sha256(full):
                bad.append("%s: input %s: sha256 differs" % (pid, i["path"]))
    comp = {c["path"]: c for c in m.get("comparison", [])}
    cdir = os.path.join(out, "comparison")
    want = ({"comparison/" + n for n in os.listdir(cdir) if not n.startswith(".")}
            if os.path.isdir(cdir) else set())
    if set(comp) != want:
        bad.append("comparison listed %s, present %s" % (sorted(comp), sorted(want)))
    for path, c in comp.items():
        full = os.path.join(out, path)
        if os.path.isfile(full) and c["sha256"] != sha256(full):
            bad.append("%s: sha256 differs" % path)
    for b in bad:
        print(b)
    if bad:
        sys.exit(1)
    print("%d plans, %d outputs, %d inputs, %d comparison files" % (
        len(plans), noutputs, ninputs, len(comp)))


if __name__ == "__main__":
    main()
