/** A state machine's published versions and its aliases (with their routing). */
import { useEffect, useState } from 'react';
import { describeError } from '../api/client.js';
import { sfn, type AliasDescription, type VersionListItem } from '../api/sfn.js';
import { arnName, formatDate } from '../format.js';
import { ErrorMessage } from './common.js';

export function VersionsAndAliases({ stateMachineArn }: { stateMachineArn: string }) {
  const [versions, setVersions] = useState<VersionListItem[] | undefined>(undefined);
  const [aliases, setAliases] = useState<AliasDescription[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);

  useEffect(() => {
    const load = async () => {
      const all: VersionListItem[] = [];
      let token: string | undefined;
      do {
        const page = await sfn.listVersions(stateMachineArn, token);
        all.push(...page.stateMachineVersions);
        token = page.nextToken;
      } while (token);
      setVersions(all);
      const aliasItems: AliasDescription[] = [];
      token = undefined;
      do {
        const page = await sfn.listAliases(stateMachineArn, token);
        aliasItems.push(...(await Promise.all(page.stateMachineAliases.map((a) => sfn.describeAlias(a.stateMachineAliasArn)))));
        token = page.nextToken;
      } while (token);
      setAliases(aliasItems);
    };
    load().catch((e: unknown) => setError(describeError(e)));
  }, [stateMachineArn]);

  return (
    <>
      <ErrorMessage error={error} />
      <h2>Versions</h2>
      {versions === undefined ? (
        <p className="muted">Loading…</p>
      ) : versions.length === 0 ? (
        <p className="muted">No published versions. Publish one when you create or edit the state machine.</p>
      ) : (
        <table className="table" data-testid="versions">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">ARN</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((v) => (
              <tr key={v.stateMachineVersionArn}>
                <td>{v.stateMachineVersionArn.split(':').pop()}</td>
                <td>
                  <code>{v.stateMachineVersionArn}</code>
                </td>
                <td>{formatDate(v.creationDate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Aliases</h2>
      {aliases === undefined ? (
        <p className="muted">Loading…</p>
      ) : aliases.length === 0 ? (
        <p className="muted">No aliases.</p>
      ) : (
        <table className="table" data-testid="aliases">
          <thead>
            <tr>
              <th scope="col">Alias</th>
              <th scope="col">Routing</th>
              <th scope="col">Description</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {aliases.map((a) => (
              <tr key={a.stateMachineAliasArn}>
                <td>{a.name}</td>
                <td>{a.routingConfiguration.map((r) => `${arnName(r.stateMachineVersionArn)}: ${r.weight}%`).join(', ')}</td>
                <td>{a.description ?? ''}</td>
                <td>{formatDate(a.creationDate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
