import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { appUpdate } from "@/lib/app-update";
import { UpdatePrompt } from "./update-prompt";

afterEach(() => act(() => appUpdate.dismiss()));

describe("UpdatePrompt", () => {
  it("says nothing until a new version waits, then reloads into it on request", async () => {
    render(<UpdatePrompt />);
    expect(screen.queryByText(/new version/)).toBeNull();
    const reload = vi.fn(async () => undefined);
    act(() => appUpdate.offer(reload));
    expect(screen.getByRole("status")).toHaveTextContent("A new version is ready.");
    await userEvent.click(screen.getByRole("button", { name: "Reload" }));
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it("can be put off", async () => {
    render(<UpdatePrompt />);
    act(() => appUpdate.offer(async () => undefined));
    await userEvent.click(screen.getByRole("button", { name: "Later" }));
    expect(screen.queryByRole("status")).toBeNull();
  });
});
