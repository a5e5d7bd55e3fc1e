/**
 * Checks and groups, for k6's root_group.
 *
 * k6 tags every sample inside a group with `group` = the group path: "" for the root,
 * "::outer::inner" below it. A check's counts are keyed by (group path, check name). The group
 * tree is rebuilt in the parent from the paths seen (checks' and group_duration's `group` tag);
 * ids are k6's: md5 hex of the path (the root's id is md5("")). Order is first-seen order.
 */
import { createHash } from 'node:crypto';

export interface CheckCount {
  group: string;
  name: string;
  passes: number;
  fails: number;
}

/** Worker side: check counts since the last take, and group paths seen. */
export class CheckRecorder {
  private readonly counts = new Map<string, CheckCount>();
  private readonly groups = new Set<string>();
  private readonly sentGroups = new Set<string>();

  check(group: string, name: string, passed: boolean): void {
    const key = group + '\u0000' + name;
    let c = this.counts.get(key);
    if (c === undefined) {
      c = { group, name, passes: 0, fails: 0 };
      this.counts.set(key, c);
    }
    if (passed) c.passes++;
    else c.fails++;
  }

  group(path: string): void {
    if (path !== '' && !this.sentGroups.has(path)) this.groups.add(path);
  }

  take(): { checks: CheckCount[]; groups: string[] } {
    const checks = [...this.counts.values()];
    this.counts.clear();
    const groups = [...this.groups];
    for (const g of groups) this.sentGroups.add(g);
    this.groups.clear();
    return { checks, groups };
  }
}

export interface SummaryCheck {
  name: string;
  path: string;
  id: string;
  passes: number;
  fails: number;
}
export interface SummaryGroup {
  name: string;
  path: string;
  id: string;
  groups: SummaryGroup[];
  checks: SummaryCheck[];
}

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

/** Parent side: the merged tree. */
export class GroupTree {
  readonly root: SummaryGroup = { name: '', path: '', id: md5(''), groups: [], checks: [] };
  private readonly byPath = new Map<string, SummaryGroup>([['', this.root]]);
  private readonly checksByPath = new Map<string, SummaryCheck>();

  ensureGroup(path: string): SummaryGroup {
    const known = this.byPath.get(path);
    if (known) return known;
    const cut = path.lastIndexOf('::');
    const parentPath = cut <= 0 ? '' : path.slice(0, cut);
    const name = cut < 0 ? path : path.slice(cut + 2);
    const parent = this.ensureGroup(parentPath);
    const g: SummaryGroup = { name, path, id: md5(path), groups: [], checks: [] };
    parent.groups.push(g);
    this.byPath.set(path, g);
    return g;
  }

  addCheck(c: CheckCount): void {
    const path = c.group + '::' + c.name;
    let sc = this.checksByPath.get(path);
    if (sc === undefined) {
      sc = { name: c.name, path, id: md5(path), passes: 0, fails: 0 };
      this.ensureGroup(c.group).checks.push(sc);
      this.checksByPath.set(path, sc);
    }
    sc.passes += c.passes;
    sc.fails += c.fails;
  }

  /** A deep copy, safe to hand to user code. */
  snapshot(): SummaryGroup {
    return structuredClone(this.root);
  }
}
