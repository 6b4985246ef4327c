import { useEffect, useState } from 'preact/hooks';
import { Empty } from '../components.js';
import { bytesFromMb, cores } from '../format.js';

interface Role {
  name: string;
  weight: number;
  frameworks: string[];
  allocated: { cpus?: number; mem?: number };
  reserved: { cpus?: number; mem?: number };
}
interface Quota {
  role: string;
  guarantee?: { name: string; scalar?: { value: number } }[];
}

/** Roles with weights (`/master/roles`) and quota (`/master/quota`); fetched when shown and every 5 s. */
export function Roles({ version }: { version: number }) {
  const [roles, setRoles] = useState<Role[] | undefined>(undefined);
  const [quotas, setQuotas] = useState<Map<string, string>>(new Map());
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    let cancelled = false;
    const load = async (): Promise<void> => {
      try {
        const body = (await (await fetch('/master/roles')).json()) as { roles: Role[] };
        const quota = (await (await fetch('/master/quota')).json()) as { infos?: Quota[] };
        if (cancelled) return;
        setRoles(body.roles);
        setQuotas(new Map((quota.infos ?? []).map((q) => [q.role, (q.guarantee ?? []).map((g) => `${g.name} ${g.scalar?.value ?? ''}`).join(', ')])));
        setError(undefined);
      } catch (e) {
        if (!cancelled) setError(e instanceof Error ? e.message : String(e));
      }
    };
    void load();
    const timer = setInterval(() => void load(), 5000);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [version > 0]);
  if (error !== undefined) return <Empty title="Roles cannot be read"><p>{error}</p></Empty>;
  if (roles === undefined) return <p>Loading…</p>;
  return (
    <div class="page">
      <h2>Roles ({roles.length})</h2>
      {roles.length === 0 ? (
        <Empty title="No roles in use">
          <p>Roles appear once a framework subscribes with one, or an operator sets a weight or quota.</p>
        </Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th>role</th>
              <th>weight</th>
              <th>quota guarantee</th>
              <th>frameworks</th>
              <th>allocated cpus</th>
              <th>allocated memory</th>
              <th>reserved cpus</th>
            </tr>
          </thead>
          <tbody>
            {roles.map((r) => (
              <tr key={r.name} data-role={r.name}>
                <td>{r.name}</td>
                <td>{r.weight}</td>
                <td>{quotas.get(r.name) || 'none'}</td>
                <td>{r.frameworks.length}</td>
                <td>{cores(r.allocated.cpus ?? 0)}</td>
                <td>{bytesFromMb(r.allocated.mem ?? 0)}</td>
                <td>{cores(r.reserved.cpus ?? 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
