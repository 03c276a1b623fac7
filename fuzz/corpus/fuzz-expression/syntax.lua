cif x then
  y = = 1
end
