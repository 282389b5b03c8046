import { useId } from "react";
import { type ThemePreference, useTheme } from "@/lib/theme";

const options: { value: ThemePreference; label: string }[] = [
  { value: "system", label: "System" },
  { value: "light", label: "Light" },
  { value: "dark", label: "Dark" },
];

export function ThemeSwitcher() {
  const id = useId();
  const [theme, setTheme] = useTheme();
  return (
    <div className="theme-switcher">
      <label htmlFor={id}>Theme</label>
      <select
        id={id}
        value={theme}
        onChange={(event) =>
          setTheme(options.find((o) => o.value === event.target.value)?.value ?? "system")
        }
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}
