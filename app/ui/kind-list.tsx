/**
 * Groups or phone numbers, one an item, each followed by its kind, muted:
 * a user's groups, the groups a license change removes, the numbers a
 * transfer moves or removes.
 */
export function KindList<K extends string>({
  items,
  kinds,
  className,
}: {
  items: { id: number; name: string; kind: K }[];
  /** The names of the kinds (GROUP_KIND_NAMES, NUMBER_KIND_NAMES). */
  kinds: Record<K, string>;
  className?: string;
}) {
  return (
    <ul className={className}>
      {items.map((item) => (
        <li key={item.id}>
          {item.name} <span className="muted">· {kinds[item.kind]}</span>
        </li>
      ))}
    </ul>
  );
}
