interface ImportMetaEnv {
  /** Map tiles, e.g. `https://tile.openstreetmap.org/{z}/{x}/{y}.png` (the default) or a self-hosted server. */
  readonly VITE_TILE_URL?: string;
  /** HTML attribution for those tiles; defaults to OpenStreetMap's. */
  readonly VITE_TILE_ATTRIBUTION?: string;
}
