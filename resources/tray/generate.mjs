// Generates the tray icons, one per tray state, at 16 px and 32 px (@2x), with no dependency
// beyond Node's zlib. Run `node resources/tray/generate.mjs` after changing a colour or glyph and
// commit the PNGs: the app loads the files, it never runs this script.
//
// Each state differs by colour *and* glyph so it stays readable for colour-blind users and in
// monochrome menu bars.
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { crc32, deflateSync } from 'node:zlib'

const here = dirname(fileURLToPath(import.meta.url))

/** Glyphs in normalised coordinates: x, y in [-1, 1], origin at the centre, y pointing down. */
const glyphs = {
  // An open eye: white ring with a solid pupil.
  watching: (x, y) => {
    const r = Math.hypot(x, y)
    return (r > 0.42 && r < 0.58) || r < 0.22
  },
  // An hourglass: still building the account's baseline.
  learning: (x, y) => Math.abs(y) < 0.55 && Math.abs(x) < Math.abs(y) * 0.8 + 0.06,
  // An exclamation mark.
  alert: (x, y) => (Math.abs(x) < 0.13 && y > -0.6 && y < 0.18) || Math.hypot(x, y - 0.45) < 0.14,
  // A solid square: stopped, contained.
  contained: (x, y) => Math.abs(x) < 0.38 && Math.abs(y) < 0.38,
  // Two bars: paused.
  paused: (x, y) => Math.abs(y) < 0.45 && Math.abs(Math.abs(x) - 0.22) < 0.11,
  // A horizontal bar: running with reduced coverage.
  degraded: (x, y) => Math.abs(x) < 0.5 && Math.abs(y) < 0.13
}

const colours = {
  watching: [46, 158, 79],
  learning: [47, 111, 214],
  alert: [217, 48, 37],
  contained: [123, 79, 214],
  paused: [122, 122, 122],
  degraded: [214, 140, 0]
}

/** Renders one icon with 4x4 supersampling so the edges are antialiased. */
function render(state, size) {
  const samples = 4
  const pixels = Buffer.alloc(size * size * 4)
  const [cr, cg, cb] = colours[state]
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let disc = 0
      let glyph = 0
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = ((px + (sx + 0.5) / samples) / size) * 2 - 1
          const y = ((py + (sy + 0.5) / samples) / size) * 2 - 1
          if (Math.hypot(x, y) <= 0.94) {
            disc++
            if (glyphs[state](x, y)) glyph++
          }
        }
      }
      const n = samples * samples
      const white = disc ? glyph / disc : 0
      const i = (py * size + px) * 4
      pixels[i] = Math.round(cr + (255 - cr) * white)
      pixels[i + 1] = Math.round(cg + (255 - cg) * white)
      pixels[i + 2] = Math.round(cb + (255 - cb) * white)
      pixels[i + 3] = Math.round((disc / n) * 255)
    }
  }
  return pixels
}

function chunk(type, data) {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

/** Encodes RGBA pixels as a PNG: 8-bit RGBA, no interlace, filter type 0 on every row. */
function png(size, pixels) {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(size, 0)
  header.writeUInt32BE(size, 4)
  header[8] = 8
  header[9] = 6
  const rows = Buffer.alloc(size * (size * 4 + 1))
  for (let y = 0; y < size; y++) {
    pixels.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4)
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0))
  ])
}

for (const state of Object.keys(glyphs)) {
  writeFileSync(join(here, `${state}.png`), png(16, render(state, 16)))
  // Electron picks the @2x file on high-DPI screens when given the 1x path.
  writeFileSync(join(here, `${state}@2x.png`), png(32, render(state, 32)))
}
