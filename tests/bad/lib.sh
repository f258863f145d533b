# Helpers for tests/bad/<case>/patch.sh.
#
# tests/e2e/run.sh copies tests/bad/_base/ to a temporary root, then runs
#     sh -e -c '. tests/bad/lib.sh; . tests/bad/<case>/patch.sh'
# with that root as the working directory. Every helper fails when it
# cannot make its change (text not found, found twice), so that a patch
# which no longer applies fails the case instead of testing the unbroken base.

# replace FILE OLD NEW: replace the one occurrence of OLD (literal text,
# may span lines) in the UTF-8 file FILE by NEW.
replace() {
    python3 - "$@" <<'PY'
import sys
path, old, new = sys.argv[1:4]
with open(path, encoding="utf-8", newline="") as f:
    text = f.read()
n = text.count(old)
if n != 1:
    sys.exit("replace: %r occurs %d times in %s (need exactly 1)" % (old, n, path))
with open(path, "w", encoding="utf-8", newline="") as f:
    f.write(text.replace(old, new))
PY
}

# write FILE: FILE gets the text on stdin (created or overwritten).
write() {
    cat >"$1"
}

# recode FILE ENCODING [BOM]: re-encode the UTF-8 text file FILE, e.g.
# "recode data/bx/accidents.csv utf-16-le bom" or "recode F gb18030".
recode() {
    python3 - "$@" <<'PY'
import sys
path, enc = sys.argv[1:3]
bom = len(sys.argv) > 3
with open(path, encoding="utf-8", newline="") as f:
    text = f.read()
data = text.encode(enc)
if bom:
    data = "\ufeff".encode(enc) + data
with open(path, "wb") as f:
    f.write(data)
PY
}

# insert_bytes FILE OFFSET_TEXT HEX: insert the bytes HEX ("80ff") into FILE right
# after the first occurrence of the UTF-8 text OFFSET_TEXT.
insert_bytes() {
    python3 - "$@" <<'PY'
import sys
path, after, hexbytes = sys.argv[1:4]
data = open(path, "rb").read()
key = after.encode("utf-8")
i = data.find(key)
if i < 0:
    sys.exit("insert_bytes: %r not found in %s" % (after, path))
i += len(key)
open(path, "wb").write(data[:i] + bytes.fromhex(hexbytes) + data[i:])
PY
}
