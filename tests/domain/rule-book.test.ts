/**
 * docs/domain.md is only useful while its links lead somewhere: each rule names
 * the function that enforces it and the test that proves it. A rename or a
 * move that leaves the rule book behind fails here, naming the broken link.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const DOC = fileURLToPath(new URL("../../docs/domain.md", import.meta.url));
// Lines wrap inside link texts and quoted test names: read the doc as one line.
const text = readFileSync(DOC, "utf8").replace(/\s+/g, " ");
const slug = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} -]/gu, "")
    .replace(/ /g, "-");
const anchors = new Set(
  readFileSync(DOC, "utf8")
    .split("\n")
    .filter((l) => l.startsWith("#"))
    .map((l) => slug(l.replace(/^#+\s*/, ""))),
);
const source = (path: string) => readFileSync(resolve(dirname(DOC), path), "utf8");

// [`name`](path) or [text](path#anchor), then an optional quoted test name: "describe › test".
const LINK = /\[([^\]]+)\]\(([^)\s]+)\)(?: "([^"]+)")?/g;
const links = [...text.matchAll(LINK)].map(([, label, target, quoted]) => ({ label, target, quoted }));

describe("docs/domain.md", () => {
  it("links to hundreds of places", () => {
    expect(links.length).toBeGreaterThan(200);
  });

  it("links only to files and headings that exist", () => {
    const broken = links.filter(({ target }) => {
      if (/^[a-z]+:/.test(target)) return false;
      const [path, anchor] = target.split("#");
      if (!path) return !anchors.has(anchor!);
      return !existsSync(resolve(dirname(DOC), path));
    });
    expect(broken.map((l) => l.target)).toEqual([]);
  });

  it("names functions that are in the file it links to", () => {
    const missing = links
      .filter(({ label, target }) => /^`[\w.]+`$/.test(label!) && !target.startsWith("#"))
      .filter(({ label, target }) => !source(target.split("#")[0]!).includes(label!.slice(1, -1)))
      .map(({ label, target }) => `${label} in ${target}`);
    expect(missing).toEqual([]);
  });

  it("quotes test names that are in the test file it links to", () => {
    const missing = links
      .filter(({ target, quoted }) => quoted && /\.(test|spec)\.ts$/.test(target))
      .flatMap(({ target, quoted }) =>
        quoted!
          .split(" › ")
          // A title built from a constant (`${REVIEW_HOLD_MINUTES}`) is checked up to it.
          .map((part) => part.split(/\d+ minutes/)[0]!.trim())
          .filter((part) => !source(target).replace(/\s+/g, " ").includes(part))
          .map((part) => `"${part}" in ${target}`),
      );
    expect(missing).toEqual([]);
  });
});
