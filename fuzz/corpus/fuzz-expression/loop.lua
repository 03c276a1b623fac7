slocal t = {}
for i = 1, 10 do t[#t + 1] = i * i end
vars.squares = t
for k, v in pairs(slots) do vars[k .. "_seen"] = type(v) end
vars.clean = (input:gsub("[^%w ]", "")):upper()
