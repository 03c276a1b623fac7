svars.count = (vars.count or 0) + 1
vars.label = string.format("%s-%d", slots.name, vars.count)
table.insert(vars.nested.list, 4)
user.seen = true
slots.email = nil
