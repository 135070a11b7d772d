'use client';

/**
 * The form's fields in order, reordered by dragging a field's handle with the mouse or by the
 * keyboard (focus the handle, Space to pick the field up, ↑ ↓ to move it, Space to drop, Escape to
 * cancel) — @dnd-kit's sortable preset, with its screen-reader announcements in the page's language.
 */
import { closestCenter, DndContext, KeyboardSensor, PointerSensor, useSensor, useSensors, type Announcements, type DragEndEvent } from '@dnd-kit/core';
import { SortableContext, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import type { ReactNode } from 'react';
import { translator, type Locale } from '../../_i18n/messages';

export function SortableFields({ names, locale, onMove, children, itemProps, testId }: { names: string[]; locale: Locale; onMove: (from: number, to: number) => void; children: (index: number, handle: ReactNode) => ReactNode; itemProps?: (index: number) => { className?: string; 'data-key'?: string }; testId?: string }) {
  const t = translator(locale);
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 4 } }), useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }));
  const ids = names.map((_, i) => `field-${i}`);
  const at = (id: string | number) => ids.indexOf(String(id));
  const nameOf = (id: string | number) => names[at(id)] ?? '';
  const announcements: Announcements = {
    onDragStart: ({ active }) => t('formDragPicked', { name: nameOf(active.id), position: at(active.id) + 1, count: names.length }),
    onDragOver: ({ active, over }) => (over ? t('formDragOver', { name: nameOf(active.id), position: at(over.id) + 1, count: names.length }) : undefined),
    onDragEnd: ({ active, over }) => (over ? t('formDragDropped', { name: nameOf(active.id), position: at(over.id) + 1, count: names.length }) : t('formDragCancelled', { name: nameOf(active.id) })),
    onDragCancel: ({ active }) => t('formDragCancelled', { name: nameOf(active.id) }),
  };
  const end = ({ active, over }: DragEndEvent) => {
    if (!over || active.id === over.id) return;
    onMove(at(active.id), at(over.id));
  };
  return (
    <DndContext sensors={sensors} collisionDetection={closestCenter} onDragEnd={end} accessibility={{ announcements, screenReaderInstructions: { draggable: t('formDragInstructions') } }}>
      <SortableContext items={ids} strategy={verticalListSortingStrategy}>
        <ol className="form-field-list" data-testid={testId}>
          {names.map((name, i) => (
            <SortableItem key={ids[i]} id={ids[i]!} label={t('formDragHandle', { name })} extra={itemProps?.(i) ?? {}}>
              {(handle) => children(i, handle)}
            </SortableItem>
          ))}
        </ol>
      </SortableContext>
    </DndContext>
  );
}

function SortableItem({ id, label, extra, children }: { id: string; label: string; extra: { className?: string; 'data-key'?: string }; children: (handle: ReactNode) => ReactNode }) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({ id });
  const handle = (
    <button type="button" className="drag-handle" ref={setActivatorNodeRef} {...attributes} {...listeners} aria-label={label} data-testid="drag-handle">
      ⠿
    </button>
  );
  return (
    <li ref={setNodeRef} style={{ transform: CSS.Transform.toString(transform), transition }} {...extra} className={[extra.className, isDragging ? 'dragging' : ''].filter(Boolean).join(' ') || undefined} data-sortable={id}>
      {children(handle)}
    </li>
  );
}
