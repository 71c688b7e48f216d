// The read sides of the headroom's Worker: declared (disabled) by the stack, moved by the capacity driver.

/** Their ids, in the order the driver takes them. */
export const CAPACITY_READ_SIDES = ["cap1", "cap2", "cap3", "cap4"] as const;
