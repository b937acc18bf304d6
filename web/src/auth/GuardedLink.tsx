/** A link to a form the key may not use (permissions.ts) becomes a disabled button saying why. */
import type { ReactNode } from 'react';

export function GuardedLink({ href, why, className, children, testId }: { href: string; why: string | undefined; className: string; children: ReactNode; testId?: string }) {
  if (why === undefined) {
    return (
      <a className={className} href={href} data-testid={testId}>
        {children}
      </a>
    );
  }
  return (
    <button type="button" className={className.replace(/\bbutton\b/, '').trim() || undefined} disabled title={why} data-testid={testId}>
      {children}
    </button>
  );
}
