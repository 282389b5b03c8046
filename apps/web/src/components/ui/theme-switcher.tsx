import { useId } from "react";
import { type ThemePreference, useTheme } from "@/lib/theme";

const options: { value: ThemePreference; label: string }[] = [
  { value: "system", label: "System" },
  { value: "light", label: "Light" },
  { value: "dark", label: "Dark" },
];

/**
 * The label keeps its text for screen readers at every width; on phones only its icon shows, so
 * the header fits one line at 360 px and the select is still recognisable as the theme control.
 */
export function ThemeSwitcher() {
  const id = useId();
  const [theme, setTheme] = useTheme();
  return (
    <div className="theme-switcher">
      <label htmlFor={id}>
        <svg className="theme-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
          <circle cx="8" cy="8" r="6.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
          <path d="M8 1.5a6.5 6.5 0 0 1 0 13z" fill="currentColor" />
        </svg>
        <span className="theme-label">Theme</span>
      </label>
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
