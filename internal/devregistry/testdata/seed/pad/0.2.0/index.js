module.exports = (s, n, c = ' ') => c.repeat(Math.max(0, n - s.length)) + s
