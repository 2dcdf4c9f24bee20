// The watch lists of each enrolled face's dossier and each list's rule (threshold, camera groups), as the `dossiers`
// records tell them (applyDossierFaceChange keeps it beside the index): what the match stage decides with
// (decide.ts). A rule belongs to its list, so the latest record naming a list sets it for every face on the list (a
// list's change republishes all its faces, migration 005).
import type { WatchListRule } from '../../schemas/generated/avro-types.ts';
import { openRule } from './decide.ts';
import type { FoundCandidate } from './face-index.ts';

export class WatchListRules {
  private readonly listsOfFace = new Map<string, readonly string[]>();
  private readonly rules = new Map<string, WatchListRule>();

  /** The face's dossier is on these lists, with these rules. */
  setFace(faceId: string, rules: readonly WatchListRule[]): void {
    this.listsOfFace.set(faceId, rules.map((r) => r.id));
    for (const r of rules) this.rules.set(r.id, r);
  }

  deleteFace(faceId: string): void {
    this.listsOfFace.delete(faceId);
  }

  /** The rules of the candidate's lists; a face not learnt here (a --watchlist folder's) is on its watchList alone, without a rule. */
  of(candidate: FoundCandidate): WatchListRule[] {
    const lists = this.listsOfFace.get(candidate.dossierFace) ?? [candidate.watchList];
    return lists.map((id) => this.rules.get(id) ?? openRule(id));
  }
}
