import type { FixtureInteraction } from '../model/fixture.js';
import { matchRecordings, type RecordingIndex, type RecordingMatch } from './match-recordings.js';
import { specRoute } from './spec-routes.js';

/**
 * The recordings one response of an OpenAPI operation is compared with. The spec's paths carry
 * its base path (`/v2/pets`); when nothing was recorded there, the paths without it are tried
 * (a sandbox recorded from its base URL). A response is compared with recordings of its own status
 * only: another status the operation answers is judged by the operation's status check, not by
 * this response's schema.
 */
export function matchSpecRecordings(interaction: FixtureInteraction, index: RecordingIndex): RecordingMatch {
  let subject = interaction;
  const { path } = interaction.request;
  const barePath = interaction.operation?.barePath;
  if (path !== null && barePath && index.onRoute(specRoute(path, index)).length === 0 && index.onRoute(specRoute(barePath, index)).length > 0) {
    subject = { ...interaction, request: { ...interaction.request, path: barePath } };
  }
  const match = matchRecordings(subject, index);
  if (match.kind === 'matched' && match.statusChanged) {
    return {
      kind: 'unverified',
      route: match.route,
      service: match.service,
      reason: `${match.route} was recorded with status ${match.statusChanged.actual}, never ${match.statusChanged.expected}`,
    };
  }
  return match;
}
