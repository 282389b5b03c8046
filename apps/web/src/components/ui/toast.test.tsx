import { act, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type ToastApi, ToastProvider, useToast } from "./toast";

function setup() {
  let api: ToastApi | null = null;
  function Capture() {
    api = useToast();
    return null;
  }
  render(
    <ToastProvider>
      <Capture />
    </ToastProvider>,
  );
  if (!api) throw new Error("no toast api");
  return api as ToastApi;
}

describe("toasts", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("never drops a toast with an Undo, however many come after it", () => {
    const toast = setup();
    const expired = vi.fn();
    const undone = vi.fn();
    act(() => {
      toast.show("Deleted 1", { action: { label: "Undo", onClick: undone }, onExpire: expired });
      for (let i = 2; i <= 6; i++)
        toast.show(`Deleted ${i}`, { action: { label: "Undo", onClick: undone } });
      for (let i = 0; i < 6; i++) toast.show(`Saved ${i}`);
    });
    expect(screen.getAllByRole("button", { name: "Undo" })).toHaveLength(6);
    expect(screen.getByText("Deleted 1")).toBeInTheDocument();
    expect(screen.queryByText("Saved 0")).not.toBeInTheDocument(); // plain ones are capped
    expect(expired).not.toHaveBeenCalled();
  });

  it("pauses the countdown while the pointer is over the toasts", () => {
    const toast = setup();
    const expired = vi.fn();
    act(() => {
      toast.show("Deleted", {
        durationMs: 5000,
        action: { label: "Undo", onClick: vi.fn() },
        onExpire: expired,
      });
    });
    act(() => vi.advanceTimersByTime(3000));
    fireEvent.pointerEnter(screen.getByRole("region", { name: "Notifications" }));
    act(() => vi.advanceTimersByTime(10_000));
    expect(expired).not.toHaveBeenCalled();
    fireEvent.pointerLeave(screen.getByRole("region", { name: "Notifications" }));
    act(() => vi.advanceTimersByTime(1900));
    expect(expired).not.toHaveBeenCalled();
    act(() => vi.advanceTimersByTime(200));
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it("undoes the newest delete with Ctrl+Z, and dismissAll runs no expiry", () => {
    const toast = setup();
    const undone = vi.fn();
    const expired = vi.fn();
    act(() => {
      toast.show("Deleted", { action: { label: "Undo", onClick: undone }, onExpire: expired });
    });
    fireEvent.keyDown(document.body, { key: "z", ctrlKey: true });
    expect(undone).toHaveBeenCalledTimes(1);
    act(() => {
      toast.show("Deleted again", {
        action: { label: "Undo", onClick: undone },
        onExpire: expired,
      });
      toast.dismissAll();
    });
    act(() => vi.advanceTimersByTime(10_000));
    expect(expired).not.toHaveBeenCalled();
    expect(screen.queryByText("Deleted again")).not.toBeInTheDocument();
  });
});
