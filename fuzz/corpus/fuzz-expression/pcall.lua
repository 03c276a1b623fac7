slocal ok, err = pcall(error, {code = 1})
vars.ok = ok
vars.kind = type(err)
vars.sorted = {3, 1, 2}
table.sort(vars.sorted, function(a, b) return a > b end)
