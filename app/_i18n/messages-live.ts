/** The inbox's live updates, in English and Vietnamese; merged into messages.ts. */
export const liveEn = {
  inboxLiveEvicted: 'Live updates stopped in this tab: the inbox is open in too many tabs. Reload to see changes.',
};

export const liveVi: Record<keyof typeof liveEn, string> = {
  inboxLiveEvicted:
    'Đã dừng cập nhật trực tiếp ở thẻ này: hộp công việc đang mở ở quá nhiều thẻ. Tải lại trang để xem thay đổi.',
};
