import defaultTheme from "tailwindcss/defaultTheme";
import colors from "tailwindcss/colors";

// Tailwind 3 (PostCSS, pure JS): Tailwind 4's native engine has platform
// packages the registry here lacks, which breaks `npm ci` on a fresh clone.
/** @type {import('tailwindcss').Config} */
export default {
  content: ["./index.html", "./src/**/*.{ts,tsx}"],
  theme: {
    extend: {
      // PRD §7: Inter, indigo primary.
      fontFamily: { sans: ["Inter", ...defaultTheme.fontFamily.sans] },
      colors: {
        primary: { DEFAULT: colors.indigo[600], hover: colors.indigo[700], soft: colors.indigo[50] },
      },
      boxShadow: { xs: "0 1px 2px 0 rgb(0 0 0 / 0.05)" },
    },
  },
};
