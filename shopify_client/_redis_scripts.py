"""The Lua scripts of :mod:`._redis_pacing`: every read-modify-write of the shared
bucket model is one of them, run atomically by Redis.

The model is :class:`._pacing.QueryCostLimiter`'s, moved into Redis, with the
server's clock (``TIME``) so that machines whose clocks differ agree:

``KEYS[1]`` (a hash, the bucket): ``av`` points available at ``at`` (seconds),
``max`` and ``rate`` (the bucket's maximum and restore rate, from answers),
``ifc`` / ``ifn`` (cost and number of calls in flight), ``grants`` (tickets granted
so far), ``blind`` (1: answers carry no cost figures).

``KEYS[5]`` (a sorted set, reserves only): the limiters (processes) that reserved in
the last minute: how many share the bucket, for a fallback to pace on its share.

``KEYS[2]`` (a sorted set, the calls in flight): member the ticket id, score the
lease's end; ``KEYS[6]`` (a hash): ticket id -> the points it reserved, and ticket id
``:f`` -> when the first grant after it came (``lid`` in the bucket: the last ticket
granted). A lease past
its end (its process died, or the call outlived it) is dropped, its cost counted as
spent, as Shopify counted it. Settling is idempotent: a ticket settled twice (a
settle sent again after a timeout that Redis ran after all) counts once.

``KEYS[3]`` (a hash, the learned costs of the reserving call's skeleton: see
``._costs``): field the sizes, ``"3,100"``, value the requested cost. ``KEYS[4]`` (a
hash): operation name -> the largest cost learned for it. ``KEYS[6 + i]``: the
learned costs of the skeleton of the i-th settle.

Every key's time to live is reset when a script writes it: unused, they expire.

One script, :data:`PACE`, does both halves of a call, so that a call costs one round
trip: it applies the settles a limiter has gathered since its last command (the
answers of its earlier calls, see ``._redis_settles``), then, if asked, reserves for
the next call. Each group of arguments is one string, its fields separated by
``\x1f`` (fewer values for the client to encode).
"""

from __future__ import annotations

__all__ = [
    "PACE",
    "SLOT_ACQUIRE",
    "SLOT_COUNT",
    "SLOT_LIST",
    "SLOT_RELEASE",
    "SLOT_RENAME",
    "SLOT_RENEW",
]

#: ARGV[1]: ttl, chores (0/1: leases past their end, times to live, the limiters'
#: count; each limiter asks them at most once a second), most sizes per skeleton,
#: most operations.
#:
#: ARGV[2]: the reserve, or the empty string (settles only): has_key (0/1), sizes,
#: operation, ticket id, lease seconds, margin, most a query may cost, the limiter's
#: id, seconds a limiter counts as a peer.
#:
#: ARGV[3...]: one settle each (its learned costs at KEYS[4 + its index]): ticket
#: id, sent (0/1), answered (0/1), requested (-1: none), has_key (0/1), sizes,
#: operation, reading (current, maximum, rate; -1: none believable), actual (-1:
#: none), grant number, shared (0/1), age (seconds since the answer came: a kept
#: settle is applied as of then, see below).
#:
#: Returns the empty string without a reserve, else one string of seven figures
#: separated by spaces (one bulk reply: less for the client to parse than an array):
#: granted (0/1), wait (seconds, -1: only an answer can help), grant number, shared
#: (0/1), cost (-1: not counted), alone (0/1), how many limiters reserved lately.
PACE = """
local function split(text)
  local out, from = {}, 1
  while true do
    local at = string.find(text, '\\31', from, true)
    if at == nil then out[#out + 1] = string.sub(text, from) return out end
    out[#out + 1] = string.sub(text, from, at - 1)
    from = at + 1
  end
end
local C = split(ARGV[1])
local ttl, chores = tonumber(C[1]), C[2] == '1'
local most_sizes, most_ops = tonumber(C[3]), tonumber(C[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local b = redis.call('HMGET', KEYS[1], 'av', 'max', 'rate', 'at', 'ifc', 'ifn', 'grants', 'blind',
                      'lid')
local av, mx, rate, at = tonumber(b[1]), tonumber(b[2]), tonumber(b[3]), tonumber(b[4])
local ifc, ifn, grants = tonumber(b[5]) or 0, tonumber(b[6]) or 0, tonumber(b[7]) or 0
local blind, lid = b[8] == '1', b[9]
local expired = chores and redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now) or {}
if #expired > 0 then
  for _, member in ipairs(expired) do
    ifn = ifn - 1
    ifc = ifc - (tonumber(redis.call('HGET', KEYS[6], member)) or 0)
    redis.call('HDEL', KEYS[6], member, member .. ':f')
  end
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
end
local function tidy()
  if ifn <= 0 or ifc < 0 then ifc = 0 end
  if ifn < 0 then ifn = 0 end
end
local function refill()
  if av == nil or rate == nil or rate <= 0 then return end
  local r = av + math.max(0, now - (at or now)) * rate
  if mx ~= nil then r = math.min(r, mx - ifc) end
  av, at = r, now
end
local function sizes_of(text)
  local out = {}
  for part in string.gmatch(text, '[^,]+') do out[#out + 1] = tonumber(part) end
  return out
end

local function settle(A, costs)
  local member, cost = A[1], nil
  local sent, answered = A[2] == '1', A[3] == '1'
  local requested, has_key, sizes, operation = tonumber(A[4]), A[5] == '1', A[6], A[7]
  local current, maximum, restore = tonumber(A[8]), tonumber(A[9]), tonumber(A[10])
  local actual, grant, shared = tonumber(A[11]), tonumber(A[12]), A[13] == '1'
  local age = math.max(0, tonumber(A[14]) or 0)
  local followed = nil  -- when the first grant after this ticket came
  if redis.call('ZREM', KEYS[2], member) == 1 then
    -- a ticket of this Redis (not one granted before it restarted, nor settled already)
    ifn = ifn - 1
    local held = redis.call('HMGET', KEYS[6], member, member .. ':f')
    cost, followed = tonumber(held[1]), tonumber(held[2])
    redis.call('HDEL', KEYS[6], member, member .. ':f')
    if cost ~= nil and cost > 0 then
      ifc = ifc - cost
      if not sent and av ~= nil then av = av + cost end
    else
      cost = nil
    end
    tidy()
  else
    tidy()
    shared = true  -- granted before a restart: its reading is as old as any
  end
  if requested >= 0 then
    if has_key then
      local known = redis.call('HGET', costs, sizes)
      if tonumber(known) ~= requested then  -- the usual case, the same cost again, writes nothing
        if known == false and redis.call('HLEN', costs) >= most_sizes then
          redis.call('DEL', costs)
        end
        redis.call('HSET', costs, sizes, tostring(requested))
        redis.call('EXPIRE', costs, ttl)
      end
    end
    local old = tonumber(redis.call('HGET', KEYS[4], operation))
    if (old == nil and redis.call('HLEN', KEYS[4]) < most_ops)
        or (old ~= nil and requested > old) then
      redis.call('HSET', KEYS[4], operation, tostring(requested))
      redis.call('EXPIRE', KEYS[4], ttl)
    end
  end
  if current < 0 then
    if answered and av == nil and not blind then blind = true end
    return
  end
  blind = false
  rate, mx = restore, maximum
  local reported = current - ifc
  -- Alone: nothing else was in flight when it was granted, and every call granted
  -- since came after its answer (age seconds ago: a kept settle) and is still in
  -- flight, so that the reading counted none of them and ifc counts them all. Its
  -- reading is then believed as of its answer, refilled since.
  local alone = (not shared) and ifn == grants - grant
    and (grant == grants or (followed ~= nil and followed > now - age))
  if alone then reported = math.min(current + age * restore, mx) - ifc end
  if av == nil or alone then
    av, at = reported, now
  else
    refill()
    if cost ~= nil and actual >= 0 and actual < cost then av = av + cost - actual end
    if reported < av then av = reported end
  end
end

local function reserve(A)
  tidy()
  local has_key, sizes, operation = A[1] == '1', A[2], A[3]
  local id, lease, margin, most = A[4], tonumber(A[5]), tonumber(A[6]), tonumber(A[7])
  if chores then
    redis.call('ZADD', KEYS[5], now, A[8])
    redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now - tonumber(A[9]))
  end
  -- every call: a limiter that just started is counted by the others at once
  local peers = redis.call('ZCARD', KEYS[5])
  local function grant(cost, alone)
    local shared = ifn > 0 and 1 or 0
    ifn = ifn + 1
    grants = grants + 1
    local counted = 0
    if cost ~= nil and av ~= nil then
      av = av - cost
      ifc = ifc + cost
      counted = cost
    end
    if lid and redis.call('HEXISTS', KEYS[6], lid) == 1 then
      redis.call('HSETNX', KEYS[6], lid .. ':f', tostring(now))  -- its first follower
    end
    lid = id
    redis.call('ZADD', KEYS[2], now + lease, id)
    redis.call('HSET', KEYS[6], id, tostring(counted))
    return '1 0 ' .. grants .. ' ' .. shared .. ' ' .. tostring(cost or -1) .. ' '
      .. (alone and 1 or 0) .. ' ' .. peers
  end
  if av == nil or mx == nil or rate == nil then
    if blind then return grant(nil, false) end
    if ifn > 0 then return '0 -1 0 0 -1 0 ' .. peers end
    return grant(nil, true)
  end
  refill()
  local cost = nil
  if has_key then
    cost = tonumber(redis.call('HGET', KEYS[3], sizes))
    if cost == nil then
      local mine = sizes_of(sizes)
      local known = redis.call('HGETALL', KEYS[3])
      for i = 1, #known, 2 do
        local theirs = sizes_of(known[i])
        local c = tonumber(known[i + 1])
        if #theirs == #mine and c ~= nil and (cost == nil or c < cost) then
          local covers = true
          for j = 1, #mine do
            if theirs[j] < mine[j] then covers = false break end
          end
          if covers then cost = c end
        end
      end
    end
  end
  if cost == nil then
    cost = math.max(most, tonumber(redis.call('HGET', KEYS[4], operation)) or 0)
  end
  cost = math.min(cost, mx)
  local needed = math.min(cost + margin, mx)
  if needed > mx - ifc then return '0 -1 0 0 -1 0 ' .. peers end
  if av >= needed then return grant(cost, false) end
  return '0 ' .. tostring((needed - av) / rate) .. ' 0 0 -1 0 ' .. peers
end

for i = 3, #ARGV do settle(split(ARGV[i]), KEYS[i + 4]) end
local reply = ''
if ARGV[2] ~= '' then reply = reserve(split(ARGV[2])) end
local fields = {'ifc', tostring(ifc), 'ifn', tostring(ifn), 'grants', tostring(grants),
                'blind', blind and '1' or '0', 'lid', lid or ''}
if av ~= nil then
  for _, v in ipairs({'av', tostring(av), 'max', tostring(mx), 'rate', tostring(rate),
                      'at', tostring(at or now)}) do
    fields[#fields + 1] = v
  end
end
redis.call('HSET', KEYS[1], unpack(fields))
if chores then
  for i = 1, #KEYS do redis.call('EXPIRE', KEYS[i], ttl) end
end
return reply
"""

#: Bulk-operation slots. KEYS[1]: a sorted set, member the holder, score its
#: lease's end. ARGV: ttl, holder, limit, lease seconds. Returns 1 (a slot is
#: the holder's, its lease renewed) or 0 (all taken).
SLOT_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local holder, limit, lease = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
if redis.call('ZSCORE', KEYS[1], holder) == false and redis.call('ZCARD', KEYS[1]) >= limit then
  return 0
end
redis.call('ZADD', KEYS[1], now + lease, holder)
redis.call('EXPIRE', KEYS[1], math.max(tonumber(ARGV[1]), math.ceil(lease)))
return 1
"""

#: KEYS[1]: the slots. ARGV: holder. Returns 1 if it held a slot.
SLOT_RELEASE = """
return redis.call('ZREM', KEYS[1], ARGV[1])
"""

_SLOT_HEAD = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
"""

#: KEYS[1]: the slots. Returns how many are held (leases not ended).
SLOT_COUNT = (
    _SLOT_HEAD
    + """
return redis.call('ZCARD', KEYS[1])
"""
)

#: KEYS[1]: the slots. ARGV: holder, lease seconds. Returns 1 if the holder still
#: held a slot (its lease renewed), 0 if its lease had ended.
SLOT_RENEW = (
    _SLOT_HEAD
    + """
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == false then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return 1
"""
)

#: KEYS[1]: the slots. ARGV: holder, new name (the operation's id), lease seconds.
#: Returns 1 if the slot was renamed, 0 if its lease had ended.
SLOT_RENAME = (
    _SLOT_HEAD
    + """
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
return 1
"""
)

#: KEYS[1]: the slots. Returns the holders (leases not ended), oldest lease first.
SLOT_LIST = (
    _SLOT_HEAD
    + """
return redis.call('ZRANGE', KEYS[1], 0, -1)
"""
)
