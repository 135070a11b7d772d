'use client';

/**
 * Dragging in the form designer (@dnd-kit): the form's fields reordered by a field's handle with
 * the mouse or by the keyboard (focus the handle, Space to pick the field up, ↑ ↓ to move it,
 * Space to drop, Escape to cancel), and new fields dragged from the palette to their place among
 * them (a palette button is clicked to add with the keyboard). Screen-reader announcements in the
 * page's language.
 */
import {
  closestCenter,
  DndContext,
  DragOverlay,
  KeyboardSensor,
  PointerSensor,
  pointerWithin,
  rectIntersection,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
  type Announcements,
  type CollisionDetection,
  type DragEndEvent,
  type DragStartEvent,
  type Over,
  type Active,
} from '@dnd-kit/core';
import {
  SortableContext,
  sortableKeyboardCoordinates,
  useSortable,
  verticalListSortingStrategy,
} from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { useState, type PointerEventHandler, type ReactNode } from 'react';
import type { FieldKind } from '@/engine/forms/authoring';
import { translator, type Locale, type MessageKey } from '../../_i18n/messages';

const NEW = 'new:';
const END = 'fields-end';
const fieldId = (i: number) => `field-${i}`;
const isNew = (id: string | number) => String(id).startsWith(NEW);

/** Where a new field dropped over `over` goes: before the field it is over, or after it when dropped on its lower half; at the end over the list's empty space. */
function dropIndex(active: Active, over: Over, count: number): number {
  if (over.id === END) return count;
  const at = Number(String(over.id).slice('field-'.length));
  const dragged = active.rect.current.translated;
  const below = dragged ? dragged.top + dragged.height / 2 > over.rect.top + over.rect.height / 2 : false;
  return Math.min(below ? at + 1 : at, count);
}

/** New fields land on the field under the pointer (else the list's space); moved fields on the closest field. */
const collisions: CollisionDetection = (args) => {
  if (isNew(args.active.id)) {
    // Under the pointer; else where the dragged ghost overlaps (a pointer the page scrolled under).
    const under = pointerWithin(args);
    const hits = under.length > 0 ? under : rectIntersection(args);
    const fields = hits.filter((h) => String(h.id).startsWith('field-'));
    return fields.length > 0 ? fields : hits.filter((h) => h.id === END);
  }
  return closestCenter({
    ...args,
    droppableContainers: args.droppableContainers.filter((c) => String(c.id).startsWith('field-')),
  });
};

/** The drag-and-drop of the palette and the field list: `onMove` reorders, `onAdd` inserts a new field of a kind at an index. */
export function FormDnd({
  names,
  locale,
  onMove,
  onAdd,
  children,
}: {
  names: string[];
  locale: Locale;
  onMove: (from: number, to: number) => void;
  onAdd: (kind: FieldKind, at: number) => void;
  children: ReactNode;
}) {
  const t = translator(locale);
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );
  const [adding, setAdding] = useState<FieldKind | null>(null);
  const at = (id: string | number) => Number(String(id).slice('field-'.length));
  const nameOf = (id: string | number) => names[at(id)] ?? '';
  const kindOf = (id: string | number) => t(`formKind_${String(id).slice(NEW.length)}` as MessageKey);
  const announcements: Announcements = {
    onDragStart: ({ active }) =>
      isNew(active.id)
        ? t('formDragNew', { kind: kindOf(active.id) })
        : t('formDragPicked', { name: nameOf(active.id), position: at(active.id) + 1, count: names.length }),
    onDragOver: ({ active, over }) => {
      if (!over) return undefined;
      if (isNew(active.id))
        return t('formDragNewOver', {
          kind: kindOf(active.id),
          position: dropIndex(active, over, names.length) + 1,
          count: names.length + 1,
        });
      return t('formDragOver', { name: nameOf(active.id), position: at(over.id) + 1, count: names.length });
    },
    onDragEnd: ({ active, over }) => {
      if (isNew(active.id))
        return over
          ? t('formDragAdded', { kind: kindOf(active.id), position: dropIndex(active, over, names.length) + 1 })
          : t('formDragNewCancelled', { kind: kindOf(active.id) });
      return over
        ? t('formDragDropped', { name: nameOf(active.id), position: at(over.id) + 1, count: names.length })
        : t('formDragCancelled', { name: nameOf(active.id) });
    },
    onDragCancel: ({ active }) =>
      isNew(active.id)
        ? t('formDragNewCancelled', { kind: kindOf(active.id) })
        : t('formDragCancelled', { name: nameOf(active.id) }),
  };
  const start = ({ active }: DragStartEvent) =>
    setAdding(isNew(active.id) ? (String(active.id).slice(NEW.length) as FieldKind) : null);
  const end = ({ active, over }: DragEndEvent) => {
    setAdding(null);
    if (!over) return;
    if (isNew(active.id))
      onAdd(String(active.id).slice(NEW.length) as FieldKind, dropIndex(active, over, names.length));
    else if (active.id !== over.id && over.id !== END) onMove(at(active.id), at(over.id));
  };
  return (
    // A new field's drag does not scroll the page (it starts at the palette's foot, near the window's edge); a moved field's does.
    <DndContext
      sensors={sensors}
      collisionDetection={collisions}
      autoScroll={adding === null}
      onDragStart={start}
      onDragEnd={end}
      onDragCancel={() => setAdding(null)}
      accessibility={{ announcements, screenReaderInstructions: { draggable: t('formDragInstructions') } }}
    >
      {children}
      <DragOverlay dropAnimation={null}>
        {adding && <div className="palette-ghost">+ {t(`formKind_${adding}` as MessageKey)}</div>}
      </DragOverlay>
    </DndContext>
  );
}

/** A palette entry: clicked (or Enter) adds the kind after the selected field; dragged with the mouse, it goes where it is dropped. */
export function PaletteItem({
  kind,
  label,
  hint,
  onAdd,
}: {
  kind: FieldKind;
  label: string;
  hint: string;
  onAdd: () => void;
}) {
  const { setNodeRef, listeners, isDragging } = useDraggable({ id: `${NEW}${kind}` });
  return (
    // Only the pointer starts a drag here: the keyboard's Enter and Space click the button.
    <button
      type="button"
      className={isDragging ? 'secondary dragging' : 'secondary'}
      ref={setNodeRef}
      onPointerDown={listeners?.onPointerDown as PointerEventHandler<HTMLButtonElement> | undefined}
      onClick={onAdd}
      data-kind={kind}
      title={hint}
    >
      + {label}
    </button>
  );
}

/** The field list's drop area (its empty space, or the "no fields yet" note): a new field dropped here goes last. */
export function FieldsDropArea({ children }: { children: ReactNode }) {
  const { setNodeRef, isOver, active } = useDroppable({ id: END });
  return (
    <div
      ref={setNodeRef}
      className={['fields-drop', active && isNew(active.id) ? 'accepting' : '', isOver ? 'over' : '']
        .filter(Boolean)
        .join(' ')}
      data-testid="fields-drop"
    >
      {children}
    </div>
  );
}

/** The fields in order, each sortable by its handle (the handle is given to `children` to place). */
export function SortableFields({
  names,
  locale,
  children,
  itemProps,
  testId,
}: {
  names: string[];
  locale: Locale;
  children: (index: number, handle: ReactNode) => ReactNode;
  itemProps?: (index: number) => { className?: string; 'data-key'?: string };
  testId?: string;
}) {
  const t = translator(locale);
  const ids = names.map((_, i) => fieldId(i));
  return (
    <SortableContext items={ids} strategy={verticalListSortingStrategy}>
      <ol className="form-field-list" data-testid={testId}>
        {names.map((name, i) => (
          <SortableItem key={ids[i]} id={ids[i]!} label={t('formDragHandle', { name })} extra={itemProps?.(i) ?? {}}>
            {(handle) => children(i, handle)}
          </SortableItem>
        ))}
      </ol>
    </SortableContext>
  );
}

function SortableItem({
  id,
  label,
  extra,
  children,
}: {
  id: string;
  label: string;
  extra: { className?: string; 'data-key'?: string };
  children: (handle: ReactNode) => ReactNode;
}) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging, active } =
    useSortable({ id });
  // A new field dragged from the palette does not push the list about: the drop says where it goes.
  const style = active && isNew(active.id) ? {} : { transform: CSS.Transform.toString(transform), transition };
  const handle = (
    <button
      type="button"
      className="drag-handle"
      ref={setActivatorNodeRef}
      {...attributes}
      {...listeners}
      aria-label={label}
      data-testid="drag-handle"
    >
      ⠿
    </button>
  );
  return (
    <li
      ref={setNodeRef}
      style={style}
      {...extra}
      className={[extra.className, isDragging ? 'dragging' : ''].filter(Boolean).join(' ') || undefined}
      data-sortable={id}
    >
      {children(handle)}
    </li>
  );
}
