import { describe, expect, it } from 'vitest'
import { denial, holds } from './test-support.js'

describe('string', () => {
  it('has size in characters', () => {
    expect(holds("'abc'.size() == 3 && ''.size() == 0 && 'é😀'.size() == 2")).toBe(true)
  })

  it('indexes and slices by character', () => {
    expect(holds("'abc'[0] == 'a' && 'abcdef'[1:3] == 'bc' && 'a😀b'[1] == '😀' && 'abc'[0:0] == ''")).toBe(true)
  })

  it('errors on an index out of range', () => {
    expect(denial("'abc'[3] == ''")).toBe('Index out of range: 3.')
    expect(denial("'abc'[-1] == ''")).toBe('Index out of range: -1.')
    expect(denial("'abc'[2:1] == ''")).toBe('Range out of bounds: [2:1].')
  })

  it('changes case and trims', () => {
    expect(holds("'ABC123'.lower() == 'abc123' && 'abc'.upper() == 'ABC' && '  a b \\n'.trim() == 'a b'")).toBe(true)
  })

  it('matches a whole string with RE2 syntax', () => {
    expect(holds("'user@domain.com'.matches('.*@domain[.]com') && !'banana'.matches('.*@domain[.]com')")).toBe(true)
    expect(holds("!'abc'.matches('b')")).toBe(true)
  })

  it('splits by a regular expression', () => {
    expect(holds("'a/b/c'.split('/') == ['a', 'b', 'c'] && 'a1b22c'.split('[0-9]+') == ['a', 'b', 'c']")).toBe(true)
  })

  it('splits without splicing capture groups into the result', () => {
    expect(holds("'a-b'.split('(-)') == ['a', 'b']")).toBe(true)
  })

  it('replaces every match, as the reference examples show', () => {
    expect(holds("'banana'.replace('a', 'o') == 'bonono' && 'banana'.replace('ana', 'ee') == 'beena' && 'foo@test.com'.replace('.', '-') == '------------'")).toBe(true)
  })

  it('refuses replacement strings with $ or backslash rather than guessing', () => {
    expect(denial("'ab'.replace('(a)', '$1') == 'a'")).toBe("Unsupported replacement string: '$' and '\\' are not supported.")
  })

  it('encodes as UTF-8 bytes', () => {
    expect(holds("'€'.toUtf8() == b'\\xE2\\x82\\xAC' && 'a'.toUtf8().size() == 1")).toBe(true)
  })

  it('errors on a method of another type', () => {
    expect(denial("'abc'.keys() == []")).toBe('Function not found error: Name: [keys].')
  })

  it('errors on an invalid pattern computed at run time', () => {
    expect(denial("'a'.matches('(' + 'a')")).toMatch(/^Invalid regular expression '\(a'/)
  })
})

describe('bytes', () => {
  it('has size, base64url and upper-case hex forms', () => {
    expect(holds("b'\\xFF\\xFF'.size() == 2 && b'\\xFB\\xEF\\xBE'.toBase64() == '----' && b'\\x2A'.toHexString() == '2A' && b'€'.toHexString() == 'E282AC'")).toBe(true)
  })
})

describe('list', () => {
  it('has size, index and range', () => {
    expect(holds('[1, 2, 3].size() == 3 && [1, 2, 3][1] == 2 && [1, 2, 3][1:3] == [2, 3] && [][0:0] == []')).toBe(true)
  })

  it('errors on a list index out of range or not an int', () => {
    expect(denial('[1][1] == 1')).toBe('Index out of range: 1.')
    expect(denial("[1]['a'] == 1")).toBe("Invalid argument for '[]': expected an int, got string.")
  })

  it('implements hasAll, hasAny and hasOnly with the reference examples', () => {
    expect(holds("['a', 'b'].hasAll(['a']) && !['a', 'b'].hasAll(['a', 'c']) && ['a', 'b'].hasAny(['c', 'b']) && !['a'].hasAny([])")).toBe(true)
    expect(holds("!['a', 'b'].hasOnly(['a', 'c']) && ['a', 'b'].hasOnly(['a', 'b', 'c']) && ['a', 'a', 'b'].hasOnly(['a', 'b', 'b'])")).toBe(true)
  })

  it('accepts sets as arguments of has*', () => {
    expect(holds("['a', 'b'].hasAll(['a'].toSet()) && ['a'].hasOnly(['a', 'b'].toSet())")).toBe(true)
  })

  it('joins strings and rejects other elements', () => {
    expect(holds("['a', 'b', 'c'].join('/') == 'a/b/c' && [].join(',') == ''")).toBe(true)
    expect(denial("['a', 1].join(',') == ''")).toBe("Invalid argument for 'join': expected a string, got int.")
  })

  it('concatenates and removes elements', () => {
    expect(holds('[1, 2].concat([3]) == [1, 2, 3] && [1, 2, 1, 3].removeAll([1, 4]) == [2, 3]')).toBe(true)
  })

  it('makes a set of the unique elements', () => {
    expect(holds("['a', 'b', 'a'].toSet().size() == 2 && ['a', 'b'].toSet() == ['b', 'a', 'b'].toSet() && [1, 1.0].toSet().size() == 1")).toBe(true)
  })
})

describe('map', () => {
  it('reads values by property and index; a missing key is an error', () => {
    expect(holds("{'a': 1}.a == 1 && {'a': 1}['a'] == 1")).toBe(true)
    expect(denial("{'a': 1}.b == 1")).toBe('Property b is undefined on object.')
    expect(denial("{'a': 1}['b'] == 1")).toBe('Property b is undefined on object.')
  })

  it('has size, keys and values (in key order)', () => {
    expect(holds("{'b': 2, 'a': 1}.size() == 2 && {'b': 2, 'a': 1}.keys() == ['a', 'b'] && {'b': 2, 'a': 1}.values() == [1, 2]")).toBe(true)
  })

  it('gets with a default, including nested keys as a list (reference examples)', () => {
    expect(holds('{"a": 3, "b": 2}.get("c", 7) == 7 && {"a": [2, 7], "b": [9, 12]}.get("b", [1, 1]) == [9, 12]')).toBe(true)
    expect(holds('{"a": {"b": 1}, "c": 2}.get(["a", "b"], 7) == 1 && {"a": {"b": 1}}.get(["a", "x"], 7) == 7 && {"a": 1}.get(["a", "b"], 0) == 0')).toBe(true)
  })

  it('returns a null value from get rather than the default', () => {
    expect(holds("{'a': null}.get('a', 1) == null")).toBe(true)
  })

  it('does not see inherited object properties as keys', () => {
    expect(holds("!('constructor' in {'a': 1}) && {'a': 1}.get('toString', 0) == 0")).toBe(true)
  })
})

describe('map diff', () => {
  it('reports added, removed, changed, unchanged and affected keys (reference examples)', () => {
    expect(holds('{"a":1}.diff({}).addedKeys() == ["a"].toSet() && {}.diff({"a":1}).removedKeys() == ["a"].toSet()')).toBe(true)
    expect(holds('{"a":0}.diff({"a":1, "b":4}).changedKeys() == ["a"].toSet() && {"a": 0}.diff({"a":0}).unchangedKeys() == ["a"].toSet()')).toBe(true)
    expect(holds('({"a":0, "c":0, "u":0}).diff({"r":0, "c":1, "u": 0}).affectedKeys() == ["a", "r", "c"].toSet()')).toBe(true)
  })

  it('compares values deeply and numerically', () => {
    expect(holds("{'a': [1], 'b': 1}.diff({'a': [1.0], 'b': 2}).changedKeys() == ['b'].toSet()")).toBe(true)
  })

  it('supports the common hasOnly guard on affected keys', () => {
    expect(holds("{'title': 'x', 'owner': 'o'}.diff({'title': 'y', 'owner': 'o'}).affectedKeys().hasOnly(['title'])")).toBe(true)
    expect(holds("{'title': 'x', 'owner': 'p'}.diff({'title': 'y', 'owner': 'o'}).affectedKeys().hasOnly(['title'])")).toBe(false)
  })
})

describe('set', () => {
  it('implements the reference examples', () => {
    expect(holds("['a','b'].toSet().difference(['a','c'].toSet()) == ['b'].toSet()")).toBe(true)
    expect(holds("!['a','b'].toSet().hasAll(['a','c']) && ['d','e','f'].toSet().hasAll(['d','e'])")).toBe(true)
    expect(holds("!['a','b'].toSet().hasAny(['c','d'].toSet()) && ['a','b'].toSet().hasAny(['a','c'].toSet())")).toBe(true)
    expect(holds("!['a','b'].toSet().hasOnly(['a','c']) && ['a','b'].toSet().hasOnly(['a','b'])")).toBe(true)
  })

  it('intersects and unites', () => {
    expect(holds("['a','b'].toSet().intersection(['b','c'].toSet()) == ['b'].toSet() && ['a'].toSet().union(['b'].toSet()) == ['a','b'].toSet()")).toBe(true)
  })

  it('compares sets regardless of order and tests membership', () => {
    expect(holds("['a','b'].toSet() == ['b','a'].toSet() && ['a'].toSet() != ['a','b'].toSet() && 'a' in ['a'].toSet() && !('z' in ['a'].toSet())")).toBe(true)
  })
})

describe('timestamp and duration', () => {
  // request.time in the test requests is 2024-01-15T10:30:00Z, a Monday.
  it('exposes date and time parts', () => {
    expect(holds('request.time.year() == 2024 && request.time.month() == 1 && request.time.day() == 15')).toBe(true)
    expect(holds('request.time.hours() == 10 && request.time.minutes() == 30 && request.time.seconds() == 0 && request.time.nanos() == 0')).toBe(true)
    expect(holds('request.time.dayOfWeek() == 1 && request.time.dayOfYear() == 15')).toBe(true)
  })

  it('takes the date and time portions', () => {
    expect(holds('request.time.date() == timestamp.date(2024, 1, 15) && request.time.time() == duration.time(10, 30, 0, 0)')).toBe(true)
  })

  it('converts to and from epoch milliseconds', () => {
    expect(holds('timestamp.value(1705314600000) == request.time && request.time.toMillis() == 1705314600000')).toBe(true)
  })

  it('adds and subtracts durations, and subtracts timestamps', () => {
    expect(holds("request.time + duration.value(1, 'd') == timestamp.date(2024, 1, 16) + duration.time(10, 30, 0, 0)")).toBe(true)
    expect(holds("request.time - timestamp.date(2024, 1, 15) == duration.value(630, 'm') && request.time - duration.value(1, 'w') < request.time")).toBe(true)
  })

  it('builds durations in every unit and reads their parts with sign', () => {
    expect(holds("duration.value(1, 'w') == duration.value(7, 'd') && duration.value(1, 'h') == duration.value(3600, 's') && duration.value(1, 'ms') == duration.value(1000000, 'ns')")).toBe(true)
    expect(holds("duration.value(-1500, 'ms').seconds() == -1 && duration.value(-1500, 'ms').nanos() == -500000000")).toBe(true)
    expect(holds("duration.abs(duration.value(-10, 's')) == duration.value(10, 's')")).toBe(true)
  })

  it('rejects an unknown duration unit and an invalid date', () => {
    expect(denial("duration.value(1, 'y') == duration.value(1, 'd')")).toBe("Invalid duration unit 'y': use w, d, h, m, s, ms or ns.")
    expect(denial('timestamp.date(2023, 2, 29) == request.time')).toBe('Invalid date: 2023-2-29.')
  })

  it('handles years before 100 and dates before the epoch', () => {
    expect(holds('timestamp.date(50, 3, 1).year() == 50 && timestamp.date(1969, 12, 31).dayOfWeek() == 3 && timestamp.value(-1).nanos() == 999000000')).toBe(true)
  })

  it('orders timestamps and durations', () => {
    expect(holds("timestamp.date(2020, 1, 1) < request.time && duration.value(1, 's') > duration.value(999, 'ms')")).toBe(true)
  })

  it('errors past the year 9999', () => {
    expect(denial("timestamp.date(9999, 12, 31) + duration.value(1, 'd') > request.time")).toBe('Timestamp out of range.')
  })
})

describe('latlng', () => {
  it('reads coordinates and measures distance in meters', () => {
    expect(holds('latlng.value(10, 20).latitude() == 10.0 && latlng.value(10, 20).longitude() == 20')).toBe(true)
    // One degree of latitude is about 111.2 km.
    expect(holds('math.abs(latlng.value(0, 0).distance(latlng.value(1, 0)) - 111195) < 100')).toBe(true)
  })

  it('rejects coordinates out of range', () => {
    expect(denial('latlng.value(91, 0) == latlng.value(0, 0)')).toBe('Invalid latlng: (91, 0).')
  })
})

describe('math', () => {
  it('implements the reference examples', () => {
    expect(holds('math.abs(-1) == 1 && math.ceil(2.1) == 3 && math.floor(2.7) == 2 && math.round(2.5) == 3 && math.round(2.4) == 2')).toBe(true)
    expect(holds('math.pow(2, 2) == 4 && math.pow(1.5, 2) == 2.25 && math.sqrt(2.25) == 1.5 && !math.isInfinite(100) && !math.isNaN(100)')).toBe(true)
  })

  it('returns ints from ceil, floor and round and floats from sqrt and pow', () => {
    expect(holds('math.ceil(2.1) is int && math.round(1.5) is int && math.floor(3) is int && math.sqrt(4) is float && math.pow(2, 2) is float')).toBe(true)
  })

  it('rounds halves away from zero and keeps abs types', () => {
    expect(holds('math.round(-2.5) == -3 && math.abs(-1.5) == 1.5 && math.abs(-1) is int')).toBe(true)
  })

  it('errors converting infinity to int', () => {
    expect(denial('math.floor(1.0 / 0) == 0')).toBe('Cannot convert Infinity to int.')
  })
})

describe('conversions', () => {
  it('converts to strings as the reference shows', () => {
    expect(holds('string(true) == "true" && string(1) == "1" && string(2.0) == "2.0" && string(null) == "null" && string(1.5) == "1.5"')).toBe(true)
    expect(holds("string(/databases/x/documents/a) == '/databases/x/documents/a'")).toBe(true)
  })

  it('converts to int and float', () => {
    expect(holds("int(1.9) == 1 && int(-1.9) == -1 && int('42') == 42 && float(1) is float && float('2.5') == 2.5")).toBe(true)
    expect(denial("int('4x') == 4")).toBe("Cannot convert '4x' to int.")
  })

  it('converts strings to paths', () => {
    expect(holds("path('a/b/c') == /a/b/c && path('/a/b')[1] == 'b'")).toBe(true)
  })
})

describe('hashing', () => {
  it('hashes strings as UTF-8 and bytes alike', () => {
    expect(holds("hashing.sha256('abc') == hashing.sha256(b'abc') && hashing.md5('abc').toHexString() == '900150983CD24FB0D6963F7D28E17F72'")).toBe(true)
    expect(holds("hashing.sha256('abc').toHexString() == 'BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD'")).toBe(true)
  })

  it('computes CRC32 and CRC32C as 4 big-endian bytes', () => {
    expect(holds("hashing.crc32('123456789').toHexString() == 'CBF43926' && hashing.crc32c('123456789').toHexString() == 'E3069283'")).toBe(true)
  })
})
