#!/usr/bin/python3
"""Checks the links inside a Markdown file: every `](#anchor)` names a
heading, by GitHub's rules for heading anchors, and every relative link
(`](docs/pictures/x.png)`) names a file that exists.

    readme_links.py README.md

Prints one line per broken link and exits 1 when there is one, 0 otherwise.
Fenced code blocks and inline code are not Markdown, so links in them do not
count (a lambda's `[](long x)` is C++), and `# comments` in them are not
headings."""
import os
import re
import sys
import unicodedata

FENCE = re.compile(r"^ {0,3}(```|~~~)")
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
INLINE_CODE = re.compile(r"(`+)(.+?)\1")
LINK = re.compile(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HTML_ID = re.compile(r"<a\s+(?:name|id)=\"([^\"]+)\"")


def markdown_lines(text):
    """(line number, line) outside fenced code blocks."""
    fence = None
    for number, line in enumerate(text.splitlines(), 1):
        m = FENCE.match(line)
        if m:
            if fence is None:
                fence = m.group(1)
            elif m.group(1) == fence:
                fence = None
            continue
        if fence is None:
            yield number, line


def heading_text(source):
    """What a heading shows: code without its backticks, a link's text,
    no emphasis markers, no HTML tags."""
    text = INLINE_CODE.sub(lambda m: m.group(2).strip(), source)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"(\*\*|__|\*)", "", text)


def slug(text):
    """GitHub's anchor for a heading (github-slugger): lower case; every
    character but letters, marks, digits, '_', '-' and spaces dropped
    (punctuation, symbols such as emoji, other separators); each space a '-'."""
    kept = []
    for c in text.lower():
        category = unicodedata.category(c)
        if c in " -" or category[0] in "LM" or category in ("Nd", "Nl", "Pc"):
            kept.append(c)
    return "".join(kept).replace(" ", "-")


def anchors(text):
    """Every anchor the file defines: headings (a repeated one gets -1,
    -2, ...) and HTML anchors."""
    seen, found = {}, set()
    for _, line in markdown_lines(text):
        m = HEADING.match(line)
        if m:
            base = slug(heading_text(m.group(2)))
            n = seen.get(base, 0)
            seen[base] = n + 1
            found.add(base if n == 0 else f"{base}-{n}")
        found.update(HTML_ID.findall(line))
    return found


def broken_links(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    defined = anchors(text)
    root = os.path.dirname(os.path.abspath(path))
    problems = []
    for number, line in markdown_lines(text):
        for target in LINK.findall(INLINE_CODE.sub("", line)):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:, ...
                continue
            file, _, anchor = target.partition("#")
            if file and not os.path.exists(os.path.join(root, file)):
                problems.append(f"{path}:{number}: {target}: no such file")
            elif not file and anchor not in defined:
                problems.append(f"{path}:{number}: {target}: no heading has this anchor")
    return problems


def main():
    if len(sys.argv) != 2:
        print(__doc__.splitlines()[4].strip(), file=sys.stderr)
        return 2
    problems = broken_links(sys.argv[1])
    for p in problems:
        print(p)
    if not problems:
        print(f"ok: every link in {sys.argv[1]} resolves")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
