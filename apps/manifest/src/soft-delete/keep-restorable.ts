/**
 * A deleted manifest's restorable copy (migrations/0010_soft_delete.sql), taken in the
 * transaction of the delete that removes it, before its rows go: every kind of delete calls
 * this (a user's, retention's and a purge's through ManifestsService.delete, a repository
 * delete, a peer region's manifest or repository delete applied here), so each region keeps
 * its own copy of what its copy lost.
 *
 * It takes exactly what a delete stamped `hlc` removes: manifests pushed before it that no
 * tag written at or after it points to (a replicated delete leaves those; a local delete is
 * stamped after everything it removes), with the tags written before it. Nothing happens
 * while the `soft-delete` setting is off.
 */
import type { TransactionSql } from '@meridian/database';

export const softDeleteSettingName = 'soft-delete';

/** One manifest (`digest`), or every manifest of the repository (undefined). */
export async function keepRestorable(
  tx: TransactionSql,
  repository: string,
  digest: string | undefined,
  hlc: string,
): Promise<void> {
  const only = digest ?? null;
  await tx`
    insert into manifest.restorable_manifests
      (repository, digest, media_type, size, body, subject, refs, tags, deleted_hlc, expires_at)
    select m.repository, m.digest, m.media_type, m.size, m.body, m.subject, m.refs,
      coalesce((
        select jsonb_agg(jsonb_build_object('name', t.name, 'hlc', t.hlc) order by t.name)
        from manifest.tags t
        where t.repository = m.repository and t.digest = m.digest and t.hlc < ${hlc}
      ), '[]'::jsonb),
      ${hlc}, now() + make_interval(days => (s.value ->> 'retentionDays')::int)
    from manifest.manifests m
    join manifest.settings s
      on s.name = ${softDeleteSettingName} and (s.value ->> 'enabled')::boolean
    where m.repository = ${repository} and (${only}::text is null or m.digest = ${only})
      and m.hlc < ${hlc}
      and not exists (
        select 1 from manifest.tags t
        where t.repository = m.repository and t.digest = m.digest and t.hlc >= ${hlc})
    on conflict (repository, digest) do update
      set media_type = excluded.media_type, size = excluded.size, body = excluded.body,
        subject = excluded.subject, refs = excluded.refs, tags = excluded.tags,
        deleted_hlc = excluded.deleted_hlc, deleted_at = now(), expires_at = excluded.expires_at
      where restorable_manifests.deleted_hlc < excluded.deleted_hlc`;
}
