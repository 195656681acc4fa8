# The layers of the code stay layered: every #include of src/<folder> and of the public headers
# it owns is allowed by HACKING.md's table "What each folder may include", and ncurses is
# included only by the files HACKING.md names. Reads the table, so the table stays true.
. "$top_srcdir/tests/lib.sh"

"$PY" - "$top_srcdir" <<'EOF'
import os, re, sys

top = sys.argv[1]
hacking = open(os.path.join(top, "HACKING.md"), encoding="utf-8").read()
n = 0

def report(good, what, problems=()):
    global n
    n += 1
    print(("ok %d - %s" if good else "not ok %d - %s") % (n, what))
    for p in problems:
        print("#   " + p)

# | src/<folder> | `a.h` `b.h` | core, layers, `layer_desc.h` |
owner, allowed = {}, {}
for folder, headers, may in re.findall(r"^\| src/(\w+) \|([^|]*)\|([^|]*)\|\s*$", hacking, re.M):
    for h in re.findall(r"`([^`]+)`", headers):
        owner[h] = folder
    words = [w.strip() for w in may.split(",")]
    allowed[folder] = ({w for w in words if w and "`" not in w},
                       {w.strip("`") for w in words if "`" in w})
report(len(allowed) >= 8, "HACKING.md's include table has a row per folder (%d read)" % len(allowed))

public = sorted(f for f in os.listdir(os.path.join(top, "include/rnnscope")) if f.endswith(".h"))
unowned = [h for h in public if h not in owner]
report(not unowned, "every header in include/rnnscope/ belongs to a folder of the table",
       ["%s is in no row" % h for h in unowned])

def includes(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    return re.findall(r'^\s*#\s*include\s+"([^"]+)"', text, re.M)

def folder_of(inc, here):
    if inc.startswith("rnnscope/"):
        return owner.get(inc[len("rnnscope/"):], "?")
    if "/" in inc:
        return inc.split("/")[0]
    return here  # beside the file (or autoconf's config.h)

for folder in sorted(allowed):
    folders, singles = allowed[folder]
    folders = folders | {folder}
    src = os.path.join(top, "src", folder)
    files = [os.path.join(src, f) for f in sorted(os.listdir(src)) if f.endswith((".c", ".h"))]
    files += [os.path.join(top, "include/rnnscope", h) for h in public if owner.get(h) == folder]
    bad = []
    for path in files:
        for inc in includes(path):
            where = folder_of(inc, folder)
            if where not in folders and os.path.basename(inc) not in singles:
                bad.append("%s includes %s (%s)" % (os.path.relpath(path, top), inc, where))
    report(not bad, "src/%s includes only what HACKING.md allows" % folder, bad)

m = re.search(r"ncurses is included only by ((?:`[^`]+`\s*)+)", hacking)
named = set(re.findall(r"`([^`]+)`", m.group(1))) if m else set()
users = []
for dirpath, _, names in os.walk(os.path.join(top, "src")):
    for f in names:
        path = os.path.join(dirpath, f)
        if f.endswith((".c", ".h")) and re.search(r"^\s*#\s*include\s*<n?curses",
                                                  open(path, errors="replace").read(), re.M):
            users.append(os.path.relpath(path, top))
extra = sorted(set(users) - named)
report(bool(named) and not extra, "ncurses only in the files HACKING.md names",
       ["%s includes ncurses" % f for f in extra])
print("1..%d" % n)
EOF
