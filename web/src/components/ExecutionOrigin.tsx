/** What started an execution, as the server recorded it (Stepwise.DescribeExecutionOrigin). */
import { useEffect, useState } from 'react';
import { describeOrigin, type Origin } from '../api/triggers.js';
import { arnName, formatDate } from '../format.js';
import { href } from '../router.js';
import { ExecutionLink } from './ExecutionLinks.js';

/** A row of the execution's details list; nothing until the server answers (or if it cannot). */
export function ExecutionOrigin({ executionArn }: { executionArn: string }) {
  const [origin, setOrigin] = useState<Origin | undefined>(undefined);
  useEffect(() => {
    let current = true;
    describeOrigin(executionArn).then(
      (o) => current && setOrigin(o),
      () => undefined, // an older server without the action: the row stays away
    );
    return () => {
      current = false;
    };
  }, [executionArn]);
  if (!origin) return null;
  return (
    <div>
      <dt>Started by</dt>
      <dd data-testid="origin" data-origin={origin.type}>
        <OriginText origin={origin} />
      </dd>
    </div>
  );
}

function OriginText({ origin }: { origin: Origin }) {
  switch (origin.type) {
    case 'api':
      return <>an API call</>;
    case 'schedule':
      return (
        <>
          schedule <a href={href.triggers()}>{scheduleName(origin.arn)}</a>, due {formatDate(origin.scheduledTime)}
        </>
      );
    case 'route':
      return (
        <>
          HTTP route <code>{origin.name}</code>
        </>
      );
    case 'rule':
      return (
        <>
          event rule <a href={href.triggers()}>{arnName(origin.arn).replace(/^rule\//, '')}</a> (event <code>{origin.eventId}</code>)
        </>
      );
    case 'parent':
      return (
        <>
          execution <ExecutionLink executionArn={origin.arn} />
        </>
      );
  }
}

/** `arn:aws:scheduler:…:schedule/<group>/<name>` → `<group>/<name>` (`<name>` in the default group). */
function scheduleName(arn: string): string {
  const path = arn.slice(arn.indexOf(':schedule/') + ':schedule/'.length);
  return path.startsWith('default/') ? path.slice('default/'.length) : path;
}
